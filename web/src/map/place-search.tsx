import { useEffect, useId, useRef, useState } from "react";
import { type SearchAnswer, type SearchHit, searchPlaces, toApiError } from "../api.ts";
import { type MessageKey, useLang } from "../i18n/lang.ts";
import type { AtlasMap } from "./atlas-map.ts";

/** Typing pauses this long before the server is asked: one request per word, not per key. */
const DEBOUNCE_MS = 250;

/** How close the map comes to a place of each kind: a building's or entrance's number is readable at 18. */
const ZOOM: Record<SearchHit["kind"], number> = {
  grid: 17,
  community: 15,
  compound: 17,
  building: 18,
  entrance: 18.5,
  venue: 18,
};

const GROUP_LABEL: Record<SearchHit["kind"], MessageKey> = {
  grid: "search.kind.grid",
  community: "search.kind.community",
  compound: "search.kind.compound",
  building: "search.kind.building",
  entrance: "search.kind.entrance",
  venue: "search.kind.venue",
};

/** What tells two places of the same name apart: the compound, the community, a venue's address. */
function detailOf(hit: SearchHit): string {
  return [hit.compound_name, hit.community_name, hit.kind === "venue" || hit.kind === "grid" ? hit.note : null]
    .filter(Boolean)
    .join(" · ");
}

/**
 * The one search box of every map page (a combobox after WAI-ARIA's pattern): grid codes, communities, compounds,
 * buildings by name or number, entrances ("3号楼2单元"), venues and addresses, inside what the account may read.
 * Arrow keys move through the results, Enter flies the map to one and outlines it, Escape closes the list (a
 * second Escape clears the box).
 */
export function PlaceSearch({
  atlas,
  plan,
  autoFocus = false,
  onChosen,
  onCleared,
}: {
  atlas: AtlasMap;
  /** Grids of this plan (the editor's draft) rather than the published plan's. */
  plan?: number | undefined;
  autoFocus?: boolean;
  /** A place was chosen (the phone's search bar closes to show the map). */
  onChosen?: () => void;
  /** Escape on an empty box (the phone's search bar closes). */
  onCleared?: () => void;
}) {
  const { lang, t } = useLang();
  const id = useId();
  const [q, setQ] = useState("");
  const [answer, setAnswer] = useState<SearchAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const asked = useRef(0);

  useEffect(() => {
    const text = q.trim();
    if (!text) {
      setAnswer(null);
      setError(null);
      return;
    }
    const ticket = ++asked.current;
    const timer = setTimeout(() => {
      searchPlaces(text, plan).then(
        (a) => {
          if (ticket !== asked.current) return;
          setAnswer(a);
          setError(null);
          setActive(0);
          setOpen(true);
        },
        (err: unknown) => ticket === asked.current && setError(toApiError(err).text(lang)),
      );
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [q, lang, plan]);

  const hits = answer?.groups.flatMap((g) => g.results) ?? [];
  const optionId = (i: number) => `${id}-option-${i}`;

  const choose = (hit: SearchHit) => {
    atlas.flyTo(hit.bbox as [number, number, number, number], ZOOM[hit.kind]);
    atlas.setOverlay("highlight", {
      type: "FeatureCollection",
      features: [{ type: "Feature", properties: { kind: hit.kind }, geometry: hit.geometry as GeoJSON.Geometry }],
    });
    setOpen(false);
    onChosen?.();
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!open) setOpen(true);
      if (hits.length) setActive((a) => (a + (e.key === "ArrowDown" ? 1 : hits.length - 1)) % hits.length);
    } else if (e.key === "Enter") {
      const hit = hits[active];
      if (open && hit) {
        e.preventDefault();
        choose(hit);
      }
    } else if (e.key === "Escape") {
      // Handled here: the pages' own Escape (close a panel) should not fire while the search has the key.
      e.stopPropagation();
      if (open) setOpen(false);
      else if (!q && onCleared) onCleared();
      else {
        setQ("");
        atlas.setOverlay("highlight", null);
      }
    }
  };

  const showList = open && !!answer;
  let index = -1;
  return (
    <div className="place-search" data-testid="place-search">
      <label htmlFor={`${id}-input`} className="visually-hidden">
        {t("search.label")}
      </label>
      <input
        id={`${id}-input`}
        type="search"
        role="combobox"
        aria-expanded={showList}
        aria-controls={`${id}-list`}
        aria-autocomplete="list"
        aria-activedescendant={showList && hits.length ? optionId(active) : undefined}
        autoComplete="off"
        // The phone's search bar opens on a tap of its button, for typing at once.
        // biome-ignore lint/a11y/noAutofocus: only where the person asked for the search by that tap.
        autoFocus={autoFocus}
        placeholder={t("search.placeholder")}
        maxLength={100}
        value={q}
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={onKeyDown}
        onFocus={() => answer && setOpen(true)}
        onBlur={() => setOpen(false)}
      />
      {error && (
        <p className="place-search-error" role="alert">
          {error}
        </p>
      )}
      {showList && (
        // Results are chosen with the keyboard through the input (aria-activedescendant) or by pointer here.
        <div id={`${id}-list`} role="listbox" aria-label={t("search.results")} className="place-search-list">
          {hits.length === 0 && <p className="place-search-none">{t("search.none")}</p>}
          {answer.groups.map((g) => (
            // biome-ignore lint/a11y/useSemanticElements: a listbox's options are grouped by role=group (WAI-ARIA), not by a fieldset.
            <div role="group" key={g.kind} aria-labelledby={`${id}-${g.kind}`}>
              <div id={`${id}-${g.kind}`} className="place-search-kind" role="presentation">
                {t(GROUP_LABEL[g.kind])}
              </div>
              {g.results.map((hit) => {
                index += 1;
                const i = index;
                return (
                  <div
                    key={`${hit.kind}-${hit.id}`}
                    id={optionId(i)}
                    role="option"
                    aria-selected={i === active}
                    tabIndex={-1}
                    className="place-search-option"
                    data-kind={hit.kind}
                    // mousedown, not click: the input's blur would close the list before a click lands.
                    onMouseDown={(e) => {
                      e.preventDefault();
                      choose(hit);
                    }}
                    onMouseEnter={() => setActive(i)}
                  >
                    <span className="place-search-name">{hit.name}</span>
                    <span className="place-search-detail">{detailOf(hit)}</span>
                  </div>
                );
              })}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
