/**
 * Answers built in this process (vector tiles, whole-area GeoJSON), least recently used first out, bounded by their
 * bytes. Keys carry the version of the data, so an entry never needs invalidating: after a change its key is simply
 * never asked for again. Builds of the same key that overlap share one query.
 */
export class ByteCache<V extends { readonly byteLength: number } = Uint8Array> {
  readonly #entries = new Map<string, V>();
  readonly #pending = new Map<string, Promise<object>>();
  #bytes = 0;
  hits = 0;
  misses = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): V | undefined {
    const tile = this.#entries.get(key);
    if (tile === undefined) return undefined;
    // Map keeps insertion order: moving a hit to the end keeps the least recently used at the front.
    this.#entries.delete(key);
    this.#entries.set(key, tile);
    return tile;
  }

  set(key: string, tile: V): void {
    const old = this.#entries.get(key);
    if (old) {
      this.#bytes -= old.byteLength + key.length;
      this.#entries.delete(key);
    }
    this.#entries.set(key, tile);
    this.#bytes += tile.byteLength + key.length;
    for (const [k, v] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(k);
      this.#bytes -= v.byteLength + k.length;
    }
  }

  /** Runs `render` once for concurrent callers of the same key: a burst of requests for one tile is one query. */
  shared<T extends object>(key: string, render: () => Promise<T>): Promise<T> {
    const inFlight = this.#pending.get(key);
    if (inFlight) return inFlight as Promise<T>;
    const p = render().finally(() => this.#pending.delete(key));
    this.#pending.set(key, p);
    return p;
  }
}
