import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The image runs .next/standalone/server.js
  output: "standalone",
  transpilePackages: ["@acme/ui"],
};

export default nextConfig;
