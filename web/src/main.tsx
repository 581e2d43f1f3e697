import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app.tsx";
// MapLibre's sheet first, then ours, which restyle its classes (`.map` places the map over the whole screen). The map
// code is loaded lazily; were its sheet imported there, it would arrive last and win at equal specificity.
import "maplibre-gl/dist/maplibre-gl.css";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
