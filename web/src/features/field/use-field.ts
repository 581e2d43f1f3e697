import { useCallback, useEffect, useRef, useState } from "react";
import { type ApiError, toApiError } from "../../api.ts";
import { type FieldData, fetchFieldFirst, isNetworkError } from "./field-api.ts";
import {
  enqueue,
  type Job,
  type QueuedRecord,
  queued,
  removeQueued,
  savedField,
  saveField,
  updateQueued,
} from "./field-store.ts";
import { syncQueue } from "./field-sync.ts";

/** How often the phone tries again to send what waits while it believes it is online. */
const RETRY_MS = 30_000;
/**
 * How soon a run that found no network is tried again while the browser says it is online: the "online" event
 * comes when the phone has a link, which may be a moment before requests get through.
 */
const SOON_MS = 2_000;
/** Quick tries after which the 30 s rhythm takes over (a server that is down is not asked every 2 s). */
const SOON_TRIES = 5;

/** The phone's own day (the worker's "today"), as YYYY-MM-DD. */
export function localDay(at = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

export type FieldState = {
  data: FieldData | null;
  /** When the data on the phone was last fetched (ISO); it may be old when offline. */
  savedAt: string | null;
  queue: QueuedRecord[];
  online: boolean;
  syncing: boolean;
  error: ApiError | null;
  add(job: Job, label: string, photos?: Blob[]): Promise<void>;
  drop(id: number): Promise<void>;
  retry(id: number): Promise<void>;
  sync(): Promise<void>;
};

/**
 * The field app's data: the worker's grids kept on the phone (IndexedDB) and refreshed from the server when it can
 * be reached, and the queue of what the worker did, sent whenever the network is there.
 */
export function useField(): FieldState {
  const [data, setData] = useState<FieldData | null>(null);
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const [queue, setQueue] = useState<QueuedRecord[]>([]);
  const [online, setOnline] = useState(() => navigator.onLine);
  const [syncing, setSyncing] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const version = useRef<string | undefined>(undefined);

  const readQueue = useCallback(async () => setQueue(await queued()), []);

  const refresh = useCallback(async () => {
    try {
      const fresh = await fetchFieldFirst(version.current);
      setError(null);
      if (!fresh) return;
      version.current = fresh.version;
      await saveField(fresh);
      setData(fresh);
      setSavedAt(new Date().toISOString());
    } catch (err) {
      // With no network the phone's copy serves; any other failure is shown.
      if (!isNetworkError(err)) setError(toApiError(err));
    }
  }, []);

  const soon = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const soonTries = useRef(0);
  const sync = useCallback(async (): Promise<void> => {
    setSyncing(true);
    try {
      const result = await syncQueue(() => void readQueue());
      await readQueue();
      if (result.sent) await refresh();
      if (!result.offline) soonTries.current = 0;
      else if (navigator.onLine && soon.current === undefined && soonTries.current < SOON_TRIES) {
        soonTries.current++;
        soon.current = setTimeout(() => {
          soon.current = undefined;
          void sync();
        }, SOON_MS);
      }
    } finally {
      setSyncing(false);
    }
  }, [readQueue, refresh]);

  useEffect(() => {
    let live = true;
    void (async () => {
      const saved = await savedField();
      if (live && saved) {
        version.current = saved.data.version;
        setData(saved.data);
        setSavedAt(saved.saved_at);
      }
      await readQueue();
      if (!live) return;
      await refresh();
      await sync();
    })();
    return () => {
      live = false;
    };
  }, [readQueue, refresh, sync]);

  useEffect(() => {
    const up = () => {
      setOnline(true);
      void sync().then(refresh);
    };
    const down = () => setOnline(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    const timer = setInterval(() => navigator.onLine && void sync(), RETRY_MS);
    return () => {
      window.removeEventListener("online", up);
      window.removeEventListener("offline", down);
      clearInterval(timer);
    };
  }, [sync, refresh]);

  const add = useCallback(
    async (job: Job, label: string, photos: Blob[] = []) => {
      await enqueue(job, label, photos);
      await readQueue();
      if (navigator.onLine) void sync();
    },
    [readQueue, sync],
  );

  const drop = useCallback(
    async (id: number) => {
      await removeQueued(id);
      await readQueue();
    },
    [readQueue],
  );

  const retry = useCallback(
    async (id: number) => {
      const record = (await queued()).find((r) => r.id === id);
      if (record) await updateQueued({ ...record, refused: undefined });
      await readQueue();
      await sync();
    },
    [readQueue, sync],
  );

  return { data, savedAt, queue, online, syncing, error, add, drop, retry, sync };
}
