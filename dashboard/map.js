// Seoul's 25 gu as SVG paths from the districts file the gateway serves
// (deploy/config/districts/seoul-gu.geojson; no tiles, nothing from elsewhere),
// with the shown cases as dots on a canvas above them (thousands stay cheap).

const SVG = "http://www.w3.org/2000/svg";

export class DistrictMap {
  constructor(svg, canvas, { onPick }) {
    this.svg = svg;
    this.canvas = canvas;
    this.onPick = onPick;
    this.width = 600;
    this.height = 480;
    this.paths = new Map();  // gu id -> path
    this.names = new Map();  // gu id -> Korean name
    this.project = null;
  }

  async load(url) {
    const geo = await (await fetch(url)).json();
    let minLon = 180, maxLon = -180, minLat = 90, maxLat = -90;
    const rings = (g) => (g.type === "Polygon" ? [g.coordinates] : g.coordinates).flat();
    for (const f of geo.features) {
      for (const ring of rings(f.geometry)) for (const [lon, lat] of ring) {
        minLon = Math.min(minLon, lon); maxLon = Math.max(maxLon, lon);
        minLat = Math.min(minLat, lat); maxLat = Math.max(maxLat, lat);
      }
    }
    // Equirectangular, longitudes shrunk by cos(latitude): true enough at a city's scale.
    const k = Math.cos(((minLat + maxLat) / 2) * Math.PI / 180);
    const scale = Math.min(this.width / ((maxLon - minLon) * k), this.height / (maxLat - minLat));
    this.project = (lon, lat) => [(lon - minLon) * k * scale, (maxLat - lat) * scale];
    this.svg.setAttribute("viewBox", `0 0 ${this.width} ${this.height}`);
    for (const f of geo.features) {
      const d = rings(f.geometry).map((ring) =>
        "M" + ring.map(([lon, lat]) => this.project(lon, lat).map((v) => v.toFixed(1)).join(",")).join("L") + "Z").join("");
      const path = document.createElementNS(SVG, "path");
      path.setAttribute("d", d);
      path.setAttribute("class", "gu");
      path.dataset.district = f.properties.id;
      const title = document.createElementNS(SVG, "title");
      title.textContent = `${f.properties.name} ${f.properties.id}`;
      path.appendChild(title);
      path.addEventListener("click", () => this.onPick(f.properties.id));
      this.svg.appendChild(path);
      this.paths.set(f.properties.id, path);
      this.names.set(f.properties.id, f.properties.name);
    }
    return [...this.paths.keys()].sort();
  }

  // counts: gu -> open cases shown; points: [{lat, lon, urgent}]; selected: gu or "".
  draw(counts, points, selected) {
    if (!this.project) return;
    const max = Math.max(1, ...counts.values());
    for (const [id, path] of this.paths) {
      const n = counts.get(id) || 0;
      path.style.fillOpacity = n ? (0.15 + 0.6 * n / max).toFixed(2) : "0.05";
      path.classList.toggle("selected", id === selected);
    }
    const rect = this.svg.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, Math.round(rect.width * ratio));
    this.canvas.height = Math.max(1, Math.round(rect.height * ratio));
    const ctx = this.canvas.getContext("2d");
    const s = Math.min(rect.width / this.width, rect.height / this.height) * ratio;
    const ox = (this.canvas.width - this.width * s) / 2, oy = (this.canvas.height - this.height * s) / 2;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    for (const p of points) {
      const [x, y] = this.project(p.lon, p.lat);
      ctx.fillStyle = p.urgent ? "#c62828" : "#1565c0";
      ctx.beginPath();
      ctx.arc(ox + x * s, oy + y * s, (p.urgent ? 4 : 3) * ratio, 0, 2 * Math.PI);
      ctx.fill();
    }
  }

  name(id) { return this.names.get(id) || id; }
}
