/** Opens the store named by configuration; an exhaustive switch, no silent default. */
import type { Config } from '../config.js';
import type { Store } from './port.js';
import { openSqliteStore } from './sqlite/index.js';

export async function openStore(config: Config): Promise<Store> {
  switch (config.store) {
    case 'sqlite':
      return openSqliteStore(config.sqlitePath);
    case 'mongodb': {
      // Loaded only when chosen, so the embedded default never touches the driver.
      const { openMongoStore } = await import('./mongodb/index.js');
      return openMongoStore({ url: config.mongodbUrl as string, dbName: config.mongodbDb });
    }
  }
}
