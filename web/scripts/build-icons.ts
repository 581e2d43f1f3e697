import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createCanvas, Image } from "@napi-rs/canvas";

/**
 * The field app's icons (web app manifest, home screen), drawn at build time from our own SVG, so nothing is
 * fetched and the PNGs need not be committed. Runs before `vite build`; the files land in web/public/icons/
 * (gitignored). A maskable icon keeps the drawing inside the middle 80 % that launchers may crop to.
 */
const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const svg = fs.readFileSync(path.join(webDir, "icons", "app-icon.svg"));
const outDir = path.join(webDir, "public", "icons");

const ICONS = [
  { file: "icon-192.png", size: 192, inset: 0 },
  { file: "icon-512.png", size: 512, inset: 0 },
  { file: "maskable-512.png", size: 512, inset: 0.1 },
  { file: "apple-touch-icon.png", size: 180, inset: 0 },
];

fs.mkdirSync(outDir, { recursive: true });
fs.copyFileSync(path.join(webDir, "icons", "app-icon.svg"), path.join(outDir, "app-icon.svg"));
const image = new Image();
image.src = svg;
for (const icon of ICONS) {
  const canvas = createCanvas(icon.size, icon.size);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#0a4bd6";
  ctx.fillRect(0, 0, icon.size, icon.size);
  const pad = icon.size * icon.inset;
  ctx.drawImage(image, pad, pad, icon.size - 2 * pad, icon.size - 2 * pad);
  fs.writeFileSync(path.join(outDir, icon.file), canvas.toBuffer("image/png"));
}
console.log(`icons: wrote ${ICONS.length} PNGs to ${path.relative(process.cwd(), outDir)}`);
