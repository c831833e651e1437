// The API's answers, as the console reads them (see docs/api.md and /openapi.json).

import type { Geometry, Polygon, MultiPolygon, Point, LineString } from "geojson";

export interface Altitude {
  lower: string;
  upper: string;
}

export interface Volume {
  label: string;
  outline: Record<string, unknown>;
  altitude: Altitude;
  window: { start: string; end: string };
  geometry: Polygon | MultiPolygon;
}

export interface BandProfile {
  lower_m: number | null;
  upper_m: number | null;
  lower_datum: string | null;
  upper_datum: string | null;
}

export interface Notice {
  id: string;
  series: string;
  author: string;
  kind: string;
  action: "new" | "replace" | "cancel";
  replaces: string | null;
  superseded_by: string | null;
  status: string;
  title: string;
  filed_at: string;
  volumes: Volume[];
}

export interface HistoryNotice extends Notice {
  standing_from: string;
  standing_until: string | null;
  profiles: BandProfile[];
}

export interface Alert {
  id: string;
  kind: string;
  status: "open" | "closed";
  parties: string[];
  subjects: string[];
  explanation: string;
  figures: Record<string, number | string | null>;
  raised_at: string;
  updated_at: string;
  closed_at: string | null;
  closed_reason: string | null;
  geometry: Point | Polygon | MultiPolygon | null;
}

export interface Span {
  start: string | null;
  end: string | null;
}

export interface HistoryAlert {
  id: string;
  current: Alert | null;
  open: (Span & { alert: Alert })[];
}

export interface Zone {
  id: string;
  name: string;
  signatories: string[];
  monitors: string[];
  area: Record<string, unknown>;
  rules: { type: string; description: string }[];
  area_description: string;
  geometry: Polygon | MultiPolygon;
}

export interface HistoryZone {
  id: string;
  versions: (Span & { zone: Zone })[];
}

export interface Site {
  id: string;
  name: string;
  category: string;
  owner: string;
  valid_from: string;
  valid_until: string;
  note: string;
  geometry: Point | Polygon;
}

export interface Observation {
  id: string;
  observed_at: string;
  reported_by: string;
  affiliation: string;
  party: string | null;
  unit_category: string | null;
  unit_id: string | null;
  counts: Record<string, number>;
  weapons: { class: string; count?: number; range?: string }[];
  note: string;
  geometry: Point;
  position?: unknown;
}

export interface Line {
  id: string;
  name: string;
  geometry: LineString;
}

export interface History {
  position: number;
  server_time: string;
  outline_tolerance_m: number;
  notices: HistoryNotice[];
  alerts: HistoryAlert[];
  zones: HistoryZone[];
  sites: Site[];
  observations: Observation[];
  lines: Line[];
}

export interface Delivery {
  id: string;
  item_type: "notice" | "alert" | "message" | "escalation" | "undelivered" | "proposal" | "incident";
  item_id: string;
  recipient: string;
  sender: string | null;
  status: "delivered" | "read" | "acknowledged" | "undelivered";
  delivered_at: string;
  deadline_at: string | null;
  next_at: string | null;
  read_at: string | null;
  acknowledged_at: string | null;
  level: number;
  step_s: number | null;
  monitors: string[];
  reply: string | null;
  note: string;
}

export interface TreeHead {
  tree_size: number;
  root_hash: string;
  timestamp: string;
  key_id: string;
  signature: string;
}

export interface Receipt {
  format: string;
  index: number;
  leaf_hash: string;
  recorded_at: string;
  type: string;
  subject: string;
  entry: string;
  tree_head: TreeHead;
  inclusion_proof: string[];
}

export interface TimelineLine {
  at: string;
  event: string;
  party: string | null;
  detail: string;
  index: number;
  receipt: Receipt;
}

export interface TimelineVersion {
  notice: string;
  action: string;
  filed_at_server: string;
  filed_at_claimed: string;
  starts_at: string;
  lead_time_s: number;
  volumes: Volume[];
}

export interface Timeline {
  notice: string;
  series: string;
  author: string;
  versions: TimelineVersion[];
  lines: TimelineLine[];
  tree_head: TreeHead;
}

export interface KeyRecord {
  key_id: string;
  public_key: string;
  created_at: string;
  retired_at: string | null;
}

export interface Keys {
  log: string;
  keys: KeyRecord[];
}

export interface Party {
  id: string;
  name: string;
  kind: string;
  status: string;
}

export type AnyGeometry = Geometry;

export type ProposalStatus = "pending" | "in_force" | "declined" | "expired" | "withdrawn";

/** A change to an agreement, a zone agreement or a line, waiting for consent. */
export interface Proposal {
  id: string;
  kind: "agreement" | "zone" | "line";
  item: { id: string } & Record<string, unknown>;
  base_seq: number | null;
  proposed_by: string;
  proposed_at: string;
  expires_at: string;
  required: string[];
  concerned: string[];
  consents: Record<string, string>;
  status: ProposalStatus;
  decided_at: string | null;
  declined_by: string | null;
  note: string;
}

export interface ProposalAnswer {
  proposal: Proposal;
  in_force: Record<string, unknown> | null;
  receipt: Receipt;
}
