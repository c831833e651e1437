// Reading and cutting the basemap off the page's main thread: decoding 1:10m TopoJSON takes
// seconds of CPU on a slow machine, during which the page would not answer.

import { basemapLines, type Box } from "./basemap-lines";

self.onmessage = async (event: MessageEvent<{ world: string; detailed: string; focus: Box }>) => {
  const { world, detailed, focus } = event.data;
  try {
    self.postMessage({ basemap: await basemapLines(world, detailed, focus) });
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};
