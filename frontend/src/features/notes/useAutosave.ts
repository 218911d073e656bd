import { useCallback, useEffect, useRef, useState } from 'react';

export type SaveStatus = 'idle' | 'pending' | 'saving' | 'saved' | 'error';

function isEmpty(patch: object): boolean {
  return Object.keys(patch).length === 0;
}

function clearTimer(timer: { current: ReturnType<typeof setTimeout> | null }): void {
  if (timer.current !== null) {
    clearTimeout(timer.current);
    timer.current = null;
  }
}

/**
 * Debounced autosave of a patch. Each change is merged into the pending patch and saved
 * `delay` ms after the last keystroke; saves run one at a time, in order. A failed save keeps
 * its changes pending (newer edits win), so "retry" or the next edit sends them again.
 * `flush()` saves at once and resolves to true when nothing is left unsaved.
 */
export function useAutosave<P extends object>(save: (patch: P) => Promise<void>, delay = 1000) {
  const [status, setStatus] = useState<SaveStatus>('idle');
  const [error, setError] = useState<unknown>(null);
  const [savedAt, setSavedAt] = useState<Date | null>(null);
  const pending = useRef<Partial<P>>({});
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const chain = useRef<Promise<boolean>>(Promise.resolve(true));
  const saveRef = useRef(save);
  saveRef.current = save;

  const flush = useCallback((): Promise<boolean> => {
    clearTimer(timer);
    chain.current = chain.current.then(async () => {
      const patch = pending.current;
      if (isEmpty(patch)) return true;
      pending.current = {};
      setStatus('saving');
      try {
        await saveRef.current(patch as P);
        setError(null);
        setSavedAt(new Date());
        setStatus(isEmpty(pending.current) ? 'saved' : 'pending');
        return isEmpty(pending.current);
      } catch (err) {
        // Keep what failed, under anything typed since.
        pending.current = { ...patch, ...pending.current };
        setError(err);
        setStatus('error');
        return false;
      }
    });
    return chain.current;
  }, []);

  const change = useCallback(
    (patch: Partial<P>) => {
      pending.current = { ...pending.current, ...patch };
      setStatus('pending');
      clearTimer(timer);
      timer.current = setTimeout(() => {
        timer.current = null;
        void flush();
      }, delay);
    },
    [delay, flush],
  );

  // Leaving the page: save what is pending, and ask the browser to warn while it is unsaved.
  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      if (!isEmpty(pending.current)) event.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => {
      window.removeEventListener('beforeunload', warn);
      if (!isEmpty(pending.current)) void flush();
      clearTimer(timer);
    };
  }, [flush]);

  return { status, error, savedAt, change, flush };
}
