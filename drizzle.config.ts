// drizzle-kit generates the storage shard's SQL migrations into migrations/ (never hand-edited).
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  driver: 'durable-sqlite',
  schema: './src/storage/schema.ts',
  out: './migrations',
});
