import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';
import { t, tOr } from './i18n';
import { registerDraft, takeDraft } from './session';
import { useNow } from './store';

/** Loads data for a page; `reload` runs it again. Errors are kept for the page to show. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({
    loading: true,
  });
  const seq = useRef(0);
  const run = useCallback(() => {
    const n = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => {
        if (n === seq.current) setState({ data, loading: false });
      },
      (error: unknown) => {
        if (n === seq.current) setState({ error, loading: false });
      },
    );
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

/** Runs `fn` every `ms` while the page is visible (queues and lists others change meanwhile). */
/**
 * Runs a change (a POST, a PATCH) and reloads the data it affects; remembers the error to show.
 * `run` resolves true when the change went through.
 */
export function useChange(reload: () => void): {
  error: unknown;
  run: (change: Promise<unknown>) => Promise<boolean>;
} {
  const [error, setError] = useState<unknown>(null);
  const run = async (change: Promise<unknown>) => {
    setError(null);
    try {
      await change;
      reload();
      return true;
    } catch (err) {
      setError(err);
      return false;
    }
  };
  return { error, run };
}

export function useInterval(fn: () => void, ms: number): void {
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    const id = setInterval(() => {
      if (document.visibilityState === 'visible') latest.current();
    }, ms);
    return () => {
      clearInterval(id);
    };
  }, [ms]);
}

/** A form's values, saved for the login page when the session ends and restored after it. */
export function useDraft<T extends Record<string, string>>(
  key: string,
  initial: T,
  /** Fields never written to the browser's storage (an NIK). */
  secretFields: (keyof T)[] = [],
): [T, (patch: Partial<T>) => void, () => void] {
  const [values, setValues] = useState<T>(() => {
    const saved = takeDraft(key);
    return saved ? { ...initial, ...(saved as Partial<T>) } : initial;
  });
  const latest = useRef(values);
  latest.current = values;
  useEffect(
    () =>
      registerDraft(key, () => {
        const secret = new Set<string>(secretFields as string[]);
        return Object.fromEntries(
          Object.entries(latest.current).filter(([field]) => !secret.has(field)),
        );
      }),
    [key],
  );
  const update = (patch: Partial<T>) => {
    setValues((v) => ({ ...v, ...patch }));
  };
  const reset = () => {
    setValues(initial);
  };
  return [values, update, reset];
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return t('error.forbidden');
    if (error.code === 'VERSION_CONFLICT') return t('error.versionConflict');
    return error.message;
  }
  return t('error.unexpected');
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {errorText(error)}
    </p>
  );
}

export function Loading() {
  return <p class="muted">{t('common.loading')}</p>;
}

let fieldSeq = 0;
/** A labelled control: the label names the input for screen readers and for tests. */
export function Field(props: {
  label: string;
  children: (id: string) => ComponentChildren;
  hint?: string;
  wide?: boolean;
}) {
  const [id] = useState(() => `f${String(++fieldSeq)}`);
  return (
    <div class={props.wide ? 'field wide' : 'field'}>
      <label for={id}>{props.label}</label>
      {props.children(id)}
      {props.hint && <small class="muted">{props.hint}</small>}
    </div>
  );
}

export function TextField(props: {
  label: string;
  value: string;
  onInput: (v: string) => void;
  type?: 'text' | 'password' | 'email' | 'tel' | 'date';
  required?: boolean;
  autoComplete?: string;
  hint?: string;
  wide?: boolean;
  inputMode?: 'numeric' | 'email' | 'tel' | 'text';
}) {
  return (
    <Field label={props.label} hint={props.hint} wide={props.wide}>
      {(id) => (
        <input
          id={id}
          // Preact types an input's props per `type`; these props suit every text-like one.
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it
          type={(props.type ?? 'text') as 'text'}
          value={props.value}
          required={props.required}
          autocomplete={props.autoComplete}
          inputMode={props.inputMode}
          onInput={(e) => {
            props.onInput(e.currentTarget.value);
          }}
        />
      )}
    </Field>
  );
}

export function SelectField(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: { value: string; label: string }[];
}) {
  return (
    <Field label={props.label}>
      {(id) => (
        <select
          id={id}
          value={props.value}
          onChange={(e) => {
            props.onChange(e.currentTarget.value);
          }}
        >
          {props.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** "12:04" or "2 j 05 m": the time left until a step's deadline, or how far past it. */
export function formatSpan(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h >= 24) return t('clock.days', { d: Math.floor(h / 24), h: h % 24 });
  if (h > 0) return t('clock.hours', { h, m: two(m) });
  return `${two(m)}:${two(s % 60)}`;
}

/** A live deadline clock: time left, or overdue in red; "no deadline" for steps without one. */
export function DeadlineClock({ dueAt, breached }: { dueAt: string | null; breached: boolean }) {
  const now = useNow();
  if (!dueAt) return <span class="clock none">{t('clock.none')}</span>;
  const left = Date.parse(dueAt) - now;
  const late = breached || left < 0;
  return (
    <span
      class={late ? 'clock late' : left < 5 * 60_000 ? 'clock soon' : 'clock'}
      title={new Date(dueAt).toLocaleString()}
    >
      {late
        ? t('clock.overdue', { span: formatSpan(left) })
        : t('clock.left', { span: formatSpan(left) })}
    </span>
  );
}

export function StepBadge({ step, label }: { step: string; label?: string }) {
  return (
    <span class={`badge step-${step.toLowerCase()}`}>{tOr(`step.${step}`, label ?? step)}</span>
  );
}

export function Section(props: {
  title: string;
  children: ComponentChildren;
  id?: string;
  actions?: ComponentChildren;
}) {
  return (
    <section class="card" aria-labelledby={props.id}>
      <div class="card-head">
        <h2 id={props.id}>{props.title}</h2>
        {props.actions}
      </div>
      {props.children}
    </section>
  );
}
