import { useEffect, useId, useRef, useState } from "react";
import { createPortal } from "react-dom";
import { useLang } from "../i18n/lang.ts";
import type { AtlasMap } from "./atlas-map.ts";
import { type MapPrint, MeasureButtons, MeasureReadout, PrintButton, useMeasure } from "./map-tools.tsx";
import { PlaceSearch } from "./place-search.tsx";

/** Where the office pages turn into their phone layout (ui/phone.css). */
const PHONE_QUERY = "(max-width: 640px)";

/** Whether the window is phone-sized, following it as it is resized or turned. */
export function usePhone(): boolean {
  const [phone, setPhone] = useState(() => window.matchMedia(PHONE_QUERY).matches);
  useEffect(() => {
    const query = window.matchMedia(PHONE_QUERY);
    const change = () => setPhone(query.matches);
    query.addEventListener("change", change);
    return () => query.removeEventListener("change", change);
  }, []);
  return phone;
}

/**
 * The map tools on a phone, where a 300 px search box and a row of tool buttons would cover the page's own
 * controls: two round buttons in the map's corner. 搜索 opens the search as a bar across the map's width (closed
 * again by ×, by Escape on an empty box, or by choosing a place, so the map shows it); 工具 opens a short menu of
 * measuring and printing. What is measured shows in the same bar across the map.
 */
export function PhoneMapTools({
  atlas,
  print,
  searchPlan,
}: {
  atlas: AtlasMap;
  print?: MapPrint | null | undefined;
  searchPlan?: number | undefined;
}) {
  const { t } = useLang();
  const menuId = useId();
  const [searching, setSearching] = useState(false);
  const [menu, setMenu] = useState(false);
  const measure = useMeasure(atlas);
  const root = useRef<HTMLDivElement>(null);
  const searchButton = useRef<HTMLButtonElement>(null);
  /** Closes the search bar and gives the keyboard back to the button that opened it. */
  const closeSearch = () => {
    setSearching(false);
    requestAnimationFrame(() => searchButton.current?.focus());
  };

  // The menu closes on a tap elsewhere and on Escape, like any menu.
  useEffect(() => {
    if (!menu) return;
    const away = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setMenu(false);
    };
    const key = (e: KeyboardEvent) => e.key === "Escape" && setMenu(false);
    document.addEventListener("pointerdown", away);
    window.addEventListener("keydown", key);
    return () => {
      document.removeEventListener("pointerdown", away);
      window.removeEventListener("keydown", key);
    };
  }, [menu]);

  const bar = searching ? (
    <div className="map-phone-bar" data-testid="map-phone-search">
      <PlaceSearch
        atlas={atlas}
        plan={searchPlan}
        autoFocus
        onChosen={() => setSearching(false)}
        onCleared={closeSearch}
      />
      <button
        type="button"
        className="map-round"
        aria-label={t("search.close")}
        title={t("search.close")}
        onClick={closeSearch}
      >
        <span aria-hidden="true">×</span>
      </button>
    </div>
  ) : measure.mode ? (
    <div className="map-phone-bar" data-testid="map-phone-measure">
      <MeasureReadout measure={measure} />
    </div>
  ) : null;

  return (
    // While the bar is open (searching, measuring) it covers this corner: the buttons wait under it, hidden.
    <div className="map-phone-tools" ref={root} data-testid="map-phone-tools" data-covered={!!bar}>
      <button
        ref={searchButton}
        type="button"
        className="map-round"
        aria-label={t("search.open")}
        title={t("search.open")}
        aria-expanded={searching}
        onClick={() => {
          setSearching((s) => !s);
          setMenu(false);
        }}
        data-testid="map-search-open"
      >
        <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
          <circle cx="10" cy="10" r="6.5" fill="none" stroke="currentColor" strokeWidth="2.4" />
          <path d="M15 15 L21 21" stroke="currentColor" strokeWidth="2.6" strokeLinecap="round" />
        </svg>
      </button>
      <button
        type="button"
        className="map-round map-round-text"
        aria-expanded={menu}
        aria-controls={menuId}
        onClick={() => {
          setMenu((m) => !m);
          setSearching(false);
        }}
        data-testid="map-tools-open"
      >
        {t("map.tools")}
      </button>
      {menu && (
        <fieldset id={menuId} className="map-phone-menu">
          <legend className="visually-hidden">{t("map.tools")}</legend>
          <MeasureButtons
            measure={measure}
            onPick={() => {
              setMenu(false);
              setSearching(false);
            }}
          />
          {print && <PrintButton print={print} />}
        </fieldset>
      )}
      {bar && createPortal(bar, atlas.container)}
    </div>
  );
}
