/** A choice among an uploaded file's fields, after a first option (`none` names it) that chooses none: "". */
export function FieldSelect(props: {
  value: string;
  onChange: (field: string) => void;
  fields: { name: string }[];
  none: string;
  testId?: string;
}) {
  return (
    <select value={props.value} onChange={(e) => props.onChange(e.target.value)} data-testid={props.testId}>
      <option value="">{props.none}</option>
      {props.fields.map((f) => (
        <option key={f.name} value={f.name}>
          {f.name}
        </option>
      ))}
    </select>
  );
}
