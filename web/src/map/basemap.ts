// The offline basemap: coastlines and borders from Natural Earth, as shipped by the npm
// package world-atlas (TopoJSON), read in a worker (basemap.worker.ts).  The files are built
// into the page's own assets and fetched from the server the page came from.

import type { Basemap, Box } from "./basemap-lines";
import detailedUrl from "world-atlas/countries-10m.json?url";
import worldUrl from "world-atlas/countries-110m.json?url";

export type { Basemap, Box };

export function loadBasemap(focus: Box): Promise<Basemap> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./basemap.worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (event: MessageEvent<{ basemap?: Basemap; error?: string }>) => {
      worker.terminate();
      if (event.data.basemap) resolve(event.data.basemap);
      else reject(new Error(event.data.error ?? "basemap"));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(event.message));
    };
    // Absolute URLs: the worker resolves relative ones against its own script.
    const absolute = (url: string) => new URL(url, window.location.href).href;
    worker.postMessage({ world: absolute(worldUrl), detailed: absolute(detailedUrl), focus });
  });
}
