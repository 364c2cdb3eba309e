/// <reference types="vitest/config" />
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";

const CONSOLE_MODULES = [/\/src\/console\//, /\/node_modules\/leaflet\//, /\/node_modules\/chart\.js\//, /\/node_modules\/@kurkle\//];

const CONSOLE_CSS = /(^|\/)(src\/console\/|node_modules\/leaflet\/)/;

function isConsoleModule(id: string): boolean {
  return CONSOLE_MODULES.some((re) => re.test(id.replace(/\\/g, "/")));
}

// The API serves dist/ at "/": assets under /assets, top-level files as they are.
export default defineConfig({
  base: "/",
  build: {
    target: "es2020",
    assetsDir: "assets",
    sourcemap: false,
    rollupOptions: {
      output: {
        // The manager's console and what only it uses (Leaflet, Chart.js) are named
        // console-*: lazy chunks the service worker does not precache on officers' phones.
        chunkFileNames: (chunk) =>
          chunk.moduleIds.length > 0 && chunk.moduleIds.every(isConsoleModule)
            ? "assets/console-[name]-[hash].js"
            : "assets/[name]-[hash].js",
        assetFileNames: (asset) => {
          // CSS split off the console's chunks (its own styles, Leaflet's) goes with them.
          const from = asset.originalFileNames ?? [];
          return from.some((f) => CONSOLE_CSS.test(f)) ? "assets/console-[name]-[hash][extname]" : "assets/[name]-[hash][extname]";
        },
      },
    },
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8000" },
  },
  plugins: [
    preact({ prerender: { enabled: false } }),
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src",
      filename: "sw.ts",
      registerType: "prompt",
      injectRegister: false,
      includeManifestIcons: false, // the glob below already precaches them
      manifest: {
        id: "/",
        name: "走访助手 Field Visit",
        short_name: "走访助手",
        description: "Offline field visits for bank officers",
        lang: "zh-CN",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "portrait",
        background_color: "#f4f6f8",
        theme_color: "#12355b",
        icons: [
          { src: "icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "icon-maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      injectManifest: {
        globPatterns: ["**/*.{js,css,html,png}"],
        // The console is for managers at a desk: fetched when a manager signs in, not
        // precached on every officer's phone.
        globIgnores: ["**/console-*"],
      },
      devOptions: { enabled: false },
    }),
  ],
  test: {
    environment: "node",
    include: ["tests/**/*.test.ts"],
    setupFiles: ["tests/setup.ts"],
  },
});
