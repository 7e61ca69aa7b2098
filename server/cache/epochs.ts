import type { Db, Queryable } from '../db/db.js';

/** Where the database announces a new epoch (sql/migrations/035_tile_cache_epochs.sql). */
const CHANNEL = 'tile_cache_epochs';
/** While the epochs cannot be read, reading them is tried again at most this often. */
const RELOAD_MS = 1000;

export type Epochs = ReadonlyMap<string, number>;

const known = new WeakMap<Db, TileEpochs>();

/**
 * The tile cache epoch of each layer (see 035_tile_cache_epochs.sql), as the database holds
 * it, kept in memory so that a cached tile costs no database round trip: read once, then
 * followed through NOTIFY. While this process may have missed a notification (not read yet,
 * the listening connection lost) an epoch is unknown and the cache is not used.
 */
export class TileEpochs {
  private readonly epochs = new Map<string, number>();
  private loaded = false;
  /** Notifications reach us (always, on a database no other process can open). */
  private listening: boolean;
  private loading: Promise<void> | undefined;
  private nextLoadAt = 0;
  /**
   * Counts starts and losses of listening: a read counts only if listening did not change while
   * it ran (a read begun before LISTEN took effect may have missed a move announced meanwhile).
   */
  private session = 0;

  /** One per database handle, shared by the app instances of this process that use it. */
  static of(db: Db): TileEpochs {
    let e = known.get(db);
    if (!e) known.set(db, (e = new TileEpochs(db)));
    return e;
  }

  private constructor(private readonly db: Db) {
    this.listening = !db.listen;
    db.listen?.(CHANNEL, {
      message: (payload) => {
        const [layer, epoch] = payload.split('=');
        if (layer && epoch) this.apply(new Map([[layer, Number(epoch)]]));
      },
      listening: () => {
        this.session++;
        this.listening = true;
        this.loaded = false;
        this.nextLoadAt = 0;
        this.load();
      },
      lost: () => {
        this.session++;
        this.listening = false;
        this.loaded = false;
      },
    });
    if (!db.listen) this.load();
  }

  /** Whether the epochs are known for sure; if not, they are read again (at most once a second). */
  get known(): boolean {
    if (this.loaded && this.listening) return true;
    if (this.listening) this.load();
    return false;
  }

  /** The layer's epoch; undefined while the epochs are not known. */
  epoch(layer: string): number | undefined {
    return this.known ? this.epochs.get(layer) ?? 0 : undefined;
  }

  /** Moves the layers to new epochs in `q` (a transaction; by default the database); apply them once committed. */
  async advance(layers: readonly string[], q: Queryable = this.db): Promise<Epochs> {
    const { rows } = await q.query<{ layer: string; epoch: string }>(
      'SELECT layer, epoch::text AS epoch FROM advance_tile_cache_epochs($1)', [layers]);
    return new Map(rows.map((r) => [r.layer, Number(r.epoch)]));
  }

  /** Takes epochs in; an epoch never goes back (notifications may arrive after a fresher read). */
  apply(epochs: Epochs): void {
    for (const [layer, epoch] of epochs) if (epoch > (this.epochs.get(layer) ?? 0)) this.epochs.set(layer, epoch);
  }

  private load(): void {
    if (this.loading || Date.now() < this.nextLoadAt) return;
    this.nextLoadAt = Date.now() + RELOAD_MS;
    const session = this.session;
    this.loading = this.db.query<{ layer: string; epoch: string }>('SELECT layer, epoch::text AS epoch FROM tile_cache_epochs')
      .then(({ rows }) => {
        this.apply(new Map(rows.map((r) => [r.layer, Number(r.epoch)])));
        if (session === this.session) this.loaded = true;
      }, () => undefined)
      .finally(() => {
        this.loading = undefined;
        if (session !== this.session && this.listening) {
          this.nextLoadAt = 0;
          this.load();
        }
      });
  }
}
