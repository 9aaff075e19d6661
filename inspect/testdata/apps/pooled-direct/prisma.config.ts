import "dotenv/config";
import { defineConfig, env } from "prisma/config";

// Migrations go straight to Postgres; the app talks to the pooler.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: {
    url: env("DIRECT_URL"),
  },
});
