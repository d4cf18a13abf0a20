// Database chores of the smoke tests, with the consumer's own postgres.js:
//   create <adminUrl> <name>          creates an empty database
//   drop <adminUrl> <name>            drops it
//   own-table <url>                   creates the consumer's own public.projects with one row
//   check-own-table <url>             their row is untouched and every memcons table is in memcons
"use strict";
const postgres = require("postgres");

const [command, url, name] = process.argv.slice(2);


(async () => {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    if (command === "create") await sql.unsafe(`create database "${name}"`);
    else if (command === "drop") await sql.unsafe(`drop database if exists "${name}" with (force)`);
    else if (command === "own-table") {
      await sql`create table public.projects (id serial primary key, title text not null, created_at timestamptz default now())`;
      await sql`insert into public.projects (title) values ('their own project')`;
    } else if (command === "check-own-table") {
      const theirs = await sql`select id, title from public.projects`;
      if (theirs.length !== 1 || theirs[0].title !== "their own project") throw new Error(`public.projects changed: ${JSON.stringify(theirs)}`);
      const columns = await sql`select column_name from information_schema.columns
        where table_schema = 'public' and table_name = 'projects' order by ordinal_position`;
      if (columns.map((c) => c.column_name).join(",") !== "id,title,created_at") throw new Error("public.projects columns changed");
      const inPublic = await sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`;
      if (inPublic.map((t) => t.table_name).join(",") !== "projects") throw new Error(`public holds ${JSON.stringify(inPublic)}`);
      const ours = await sql`select table_name from information_schema.tables where table_schema = 'memcons' order by 1`;
      const names = ours.map((t) => t.table_name);
      for (const table of ["consolidation_changes", "consolidation_jobs", "migrations", "playbook_entries", "projects", "schedule_runs", "task_memories"]) {
        if (!names.includes(table)) throw new Error(`memcons.${table} is missing (found ${names.join(", ")})`);
      }
      console.log(`own public.projects untouched; memcons tables: ${names.join(", ")}`);
    } else throw new Error(`unknown command ${command}`);
  } finally {
    await sql.end();
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});

