/** A centred card with a progress bar, shown over the map while data loads. */
export function Progress(props: { label: string; detail: string; done: number; total: number }) {
  return (
    <div className="progress" role="status" aria-live="polite">
      <div className="progress-label">{props.label}</div>
      <progress max={props.total} value={props.done} />
      <div className="progress-detail">{props.detail}</div>
    </div>
  );
}
