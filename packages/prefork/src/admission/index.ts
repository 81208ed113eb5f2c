export {
  admissionShedChannel,
  admissionStateChannel,
  shedConnectionChannel,
} from './diagnostics.js';
export { ADMISSION_STATS, HttpAdmission } from './http-admission.js';
export { type HttpAdmissionOptions, httpAdmissionDefaults } from './options.js';
export { AdmissionRule, type RuleOptions, type RuleState, type Verdict } from './rule.js';
