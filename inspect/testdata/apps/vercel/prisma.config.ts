import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  datasource: {
    // Vercel Postgres: migrations need the non-pooling URL.
    url: process.env.POSTGRES_URL_NON_POOLING ?? "",
  },
});
