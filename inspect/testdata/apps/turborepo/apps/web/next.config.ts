import type { NextConfig } from "next";

const config: NextConfig = {
  output: "standalone",
  transpilePackages: ["@acme/db", "@acme/ui"],
};

export default config;
