// Docker HEALTHCHECK for the Slipway runner: exit 0 when the app answers its
// health path with 2xx or 3xx, 1 otherwise. Node only: no wget, no curl.
const http = require("node:http");

const port = Number(process.env.PORT || 3000);
const path = process.env.SLIPWAY_HEALTH_PATH || "/api/health";

const req = http.get({ host: "127.0.0.1", port, path, timeout: 3000 }, (res) => {
  if (res.statusCode >= 200 && res.statusCode < 400) {
    res.resume();
    process.exit(0);
  }
  // Say why: the status and the start of the body land in the check's log.
  let body = "";
  res.setEncoding("utf8");
  res.on("data", (chunk) => { body += chunk; });
  res.on("end", () => {
    console.error(`healthcheck: GET ${path}: ${res.statusCode}: ${body.slice(0, 200).replace(/\s+/g, " ")}`);
    process.exit(1);
  });
});
req.on("timeout", () => req.destroy(new Error("timed out")));
req.on("error", (err) => {
  console.error(`healthcheck: GET ${path}: ${err.message}`);
  process.exit(1);
});
