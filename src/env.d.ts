// Module declarations for non-TS imports bundled as Text/JSON modules.
declare module '*.sql' {
  const sql: string;
  export default sql;
}
declare module '*/migrations/migrations.js' {
  const migrations: {
    journal: { entries: { idx: number; when: number; tag: string; breakpoints: boolean }[] };
    migrations: Record<string, string>;
  };
  export default migrations;
}
