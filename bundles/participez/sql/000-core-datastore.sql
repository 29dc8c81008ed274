-- The Lutece core table the theme SQL writes into. A real site's own SQL (its WEB-INF/sql, loaded first)
-- creates it, so this does nothing there; it is for a site without SQL of its own (the stand-in).
CREATE TABLE IF NOT EXISTS core_datastore (
  entity_key VARCHAR(255) NOT NULL PRIMARY KEY,
  entity_value TEXT
) DEFAULT CHARSET=utf8mb4;
