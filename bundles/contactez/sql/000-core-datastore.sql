-- The Lutece core table the theme SQL writes into, for a first start before the site's own seed.
CREATE TABLE IF NOT EXISTS core_datastore (
  entity_key VARCHAR(255) NOT NULL PRIMARY KEY,
  entity_value TEXT
) DEFAULT CHARSET=utf8mb4;
