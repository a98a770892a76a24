import { useEffect, useState } from 'preact/hooks';

/** A tiny observable value: enough state management for a console of a dozen pages. */
export interface Store<T> {
  get(): T;
  set(next: T): void;
  subscribe(listener: () => void): () => void;
}

export function createStore<T>(initial: T): Store<T> {
  let value = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set(next) {
      if (Object.is(next, value)) return;
      value = next;
      for (const l of [...listeners]) l();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function useStore<T>(store: Store<T>): T {
  const [, force] = useState(0);
  useEffect(
    () =>
      store.subscribe(() => {
        force((n) => n + 1);
      }),
    [store],
  );
  return store.get();
}

/** One shared one-second tick for every live clock on the page. */
const tick = createStore(Date.now());
let timer: ReturnType<typeof setInterval> | undefined;
let users = 0;
export function useNow(): number {
  useEffect(() => {
    users += 1;
    timer ??= setInterval(() => {
      tick.set(Date.now());
    }, 1000);
    return () => {
      users -= 1;
      if (users === 0 && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    };
  }, []);
  return useStore(tick);
}
