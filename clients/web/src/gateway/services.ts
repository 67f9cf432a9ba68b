// Every service of the API, as generated from proto/. The gateway forwards
// each method of each; a new service is one line here.
import type { DescService } from "@bufbuild/protobuf";
import { AdminService } from "../gen/mittari/v1/admin_pb.js";
import { CustomerService } from "../gen/mittari/v1/customer_pb.js";
import { EventService } from "../gen/mittari/v1/event_pb.js";
import { KpiService } from "../gen/mittari/v1/kpi_pb.js";
import { SurveyService } from "../gen/mittari/v1/survey_pb.js";

export const services: readonly DescService[] = [
  AdminService,
  CustomerService,
  EventService,
  KpiService,
  SurveyService,
];
