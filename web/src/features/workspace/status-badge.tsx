import { useLang } from "../../i18n/lang.ts";
import { LEVEL_COLORS } from "./metrics.ts";

/** ✓ ok, ! needs attention, ✕ critical: a symbol besides the colour, so the badge reads in grey and for the colour-blind. */
const SYMBOLS = { ok: "✓", attention: "!", critical: "✕" } as const;

export function StatusBadge(props: { status: "ok" | "attention" | "critical" }) {
  const { t } = useLang();
  return (
    <span
      className={`ws-badge ws-badge-${props.status}`}
      style={{ background: LEVEL_COLORS[props.status] }}
      data-status={props.status}
    >
      <span aria-hidden="true">{SYMBOLS[props.status]}</span> {t(`workspace.status.${props.status}`)}
    </span>
  );
}
