/**
 * Mutation testing of the isolation checker on the CSI role (per-pod sessions keyed on
 * kubernetes-namespace): the suite and its truth are in tests/isolationMutants.ts.
 */
import { describeMutants } from "./isolationMutants";

describeMutants("csi");
