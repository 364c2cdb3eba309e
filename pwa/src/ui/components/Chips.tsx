interface Option {
  value: string;
  label: string;
}

interface SingleProps {
  options: readonly Option[];
  value: string | null;
  onChange: (value: string) => void;
  name: string;
}

/** One choice out of a few, as big tappable chips. */
export function ChipChoice({ options, value, onChange, name }: SingleProps) {
  return (
    <div class="chips" role="radiogroup" aria-label={name}>
      {options.map((o) => (
        <button
          type="button"
          class="chip"
          key={o.value}
          role="radio"
          aria-checked={value === o.value}
          aria-pressed={value === o.value}
          data-value={o.value}
          onClick={() => onChange(o.value)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}

interface MultiProps {
  options: readonly Option[];
  values: readonly string[];
  onChange: (values: string[]) => void;
  name: string;
}

export function ChipMulti({ options, values, onChange, name }: MultiProps) {
  const toggle = (v: string) => onChange(values.includes(v) ? values.filter((x) => x !== v) : [...values, v]);
  return (
    <div class="chips" role="group" aria-label={name}>
      {options.map((o) => (
        <button
          type="button"
          class="chip"
          key={o.value}
          aria-pressed={values.includes(o.value)}
          data-value={o.value}
          onClick={() => toggle(o.value)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
