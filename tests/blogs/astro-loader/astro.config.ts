import { defineConfig } from "astro/config";

// Pages without a trailing slash: /garden/first-frost, not /garden/first-frost/.
export default defineConfig({
  site: "https://allotment.example.com",
  trailingSlash: "never",
});
