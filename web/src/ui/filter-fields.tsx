import type { ChangeEventHandler, InputHTMLAttributes, ReactNode } from "react";

/**
 * A choice in a list page's filter bar (`<form className="filters">`): its label above a select whose first option,
 * valued "" and named `any`, filters nothing. The other options are the children.
 */
export function FilterSelect(props: {
  label: ReactNode;
  name: string;
  value: string;
  onChange: ChangeEventHandler<HTMLSelectElement>;
  any: string;
  children: ReactNode;
}) {
  return (
    <label>
      <span>{props.label}</span>
      <select name={props.name} value={props.value} onChange={props.onChange}>
        <option value="">{props.any}</option>
        {props.children}
      </select>
    </label>
  );
}

/** One `<option>` per value of a closed list (roles, statuses, audit actions), named by `label`. */
export function ValueOptions<T extends string>(props: { values: readonly T[]; label: (value: T) => string }) {
  return (
    <>
      {props.values.map((v) => (
        <option key={v} value={v}>
          {props.label(v)}
        </option>
      ))}
    </>
  );
}

/** A typed filter (a name, a number, a time) in a filter bar: its label above the input. */
export function FilterInput({
  label,
  ...input
}: { label: ReactNode; name: string; value: string; onChange: ChangeEventHandler<HTMLInputElement> } & Omit<
  InputHTMLAttributes<HTMLInputElement>,
  "name" | "value" | "onChange"
>) {
  return (
    <label>
      <span>{label}</span>
      <input {...input} />
    </label>
  );
}

/**
 * The props that tie a filter field to its key of the filter `form`: `<FilterSelect {...bind("role")} …>`. Values are
 * the select's own options, so each is one of the key's type.
 */
export function filterBinder<F extends Record<string, string>>(form: F, setForm: (form: F) => void) {
  return <K extends keyof F & string>(key: K) => ({
    name: key,
    value: form[key],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value as F[K] }),
  });
}
