// The dashboard's clients: the generated TypeScript stubs over the Connect
// protocol to the gateway that served this page, with the pasted key.
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { AdminService } from "../../src/gen/mittari/v1/admin_pb.js";
import { EventService } from "../../src/gen/mittari/v1/event_pb.js";
import { KpiService } from "../../src/gen/mittari/v1/kpi_pb.js";
import { SurveyService } from "../../src/gen/mittari/v1/survey_pb.js";

let key = "";

export function setKey(k: string): void {
  key = k.trim();
}

const withKey: Interceptor = (next) => (req) => {
  if (key !== "") req.header.set("authorization", `Bearer ${key}`);
  return next(req);
};

const transport = createConnectTransport({
  baseUrl: window.location.origin,
  interceptors: [withKey],
});

export const admin = createClient(AdminService, transport);
export const surveys = createClient(SurveyService, transport);
export const kpi = createClient(KpiService, transport);
export const events = createClient(EventService, transport);
