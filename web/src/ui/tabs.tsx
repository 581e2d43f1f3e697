/** A row of tabs (a tablist of buttons): the current one is selected and carries `activeClass`. */
export function Tabs<T extends string>(props: {
  className: string;
  activeClass: string;
  tabs: readonly T[];
  current: T;
  label: (tab: T) => string;
  onSelect: (tab: T) => void;
  testId: (tab: T) => string;
}) {
  return (
    <div className={props.className} role="tablist">
      {props.tabs.map((x) => (
        <button
          key={x}
          type="button"
          role="tab"
          aria-selected={x === props.current}
          className={x === props.current ? props.activeClass : ""}
          onClick={() => props.onSelect(x)}
          data-testid={props.testId(x)}
        >
          {props.label(x)}
        </button>
      ))}
    </div>
  );
}
