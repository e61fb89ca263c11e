/**
 * Mutation testing of the isolation checker on ESO's shared role (its chained sessions keyed on
 * esoNamespace): the suite and its truth are in tests/isolationMutants.ts.
 */
import { describeMutants } from "./isolationMutants";

describeMutants("eso");
