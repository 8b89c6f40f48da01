/** Small pieces the views share: a labelled choice, and the one-line outcome of the last action. */

export interface Notice {
  text: string;
  error: boolean;
}

/** A labelled `<select>`; `any` adds a first option with the empty value (e.g. "all"). */
export function Choice({
  label,
  value,
  options,
  onChange,
  any,
}: {
  label: string;
  value: string;
  options: readonly { value: string; label: string }[];
  onChange: (value: string) => void;
  any?: string;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {any !== undefined && <option value="">{any}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The outcome of the last action: announced politely, or as an alert when it failed. */
export function NoticeLine({ notice }: { notice: Notice | null }) {
  if (!notice) return null;
  return (
    <p role={notice.error ? 'alert' : 'status'} class={notice.error ? 'error' : 'muted'}>
      {notice.text}
    </p>
  );
}

/** Options from ids (links, families). */
export const idOptions = (ids: readonly string[]) => ids.map((id) => ({ value: id, label: id }));
