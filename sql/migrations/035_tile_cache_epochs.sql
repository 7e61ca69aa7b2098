-- Tile cache epochs: a number per tiled layer that is part of the key of every cached tile of
-- that layer. Edits drop exactly the tiles they touch from the cache (008_tiles.sql); an epoch
-- moves only when that could not be done: a write committed while the shared cache (Redis) was
-- slow or away, or an operator changed rows with plain SQL and flushes the cache:
--
--   UPDATE tile_cache_epochs SET epoch = epoch + 1;                      -- every layer
--   SELECT * FROM advance_tile_cache_epochs(ARRAY['cameras']);           -- some layers
--
-- Every app instance hears of a new epoch (NOTIFY tile_cache_epochs, sent when the moving
-- transaction commits) and from then on asks the cache for keys no older entry can have, so no
-- instance serves a tile from before a write the cache did not hear of, however long ago.
CREATE TABLE tile_cache_epochs (layer text PRIMARY KEY, epoch bigint NOT NULL DEFAULT 0);
INSERT INTO tile_cache_epochs (layer)
  SELECT unnest(ARRAY['precincts', 'stations', 'beats', 'buildings', 'key-places', 'cameras', 'camera-coverage',
                      'watch-blocks', 'drone-surveys', 'incidents']);

-- Payload "layer=epoch"; a row trigger, so a hand-written UPDATE is announced as well.
CREATE FUNCTION announce_tile_cache_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('tile_cache_epochs', NEW.layer || '=' || NEW.epoch);
  RETURN NULL;
END $$;
CREATE TRIGGER tile_cache_epochs_announce AFTER INSERT OR UPDATE ON tile_cache_epochs
  FOR EACH ROW EXECUTE FUNCTION announce_tile_cache_epoch();

-- Moves the layers to a new epoch (layers not listed yet start at 1) and returns the new ones.
CREATE FUNCTION advance_tile_cache_epochs(layers text[]) RETURNS TABLE (layer text, epoch bigint)
LANGUAGE sql AS $$
  INSERT INTO tile_cache_epochs AS e (layer, epoch) SELECT DISTINCT l, 1 FROM unnest(layers) l
  ON CONFLICT (layer) DO UPDATE SET epoch = e.epoch + 1
  RETURNING e.layer, e.epoch
$$;
