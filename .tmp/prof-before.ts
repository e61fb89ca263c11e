import { policies } from "/tmp/pp-before/policypack/policies";
import { runPolicies, stackResource } from "/work/wt/i11/scripts/lib/policyRunner";
import { abacPermissionPolicy, abacTrustPolicy, renderPolicy } from "/work/wt/i11/components";
const ctx = { partition: "aws", accountId: "111122223333", region: "eu-west-1" };
const trust = renderPolicy(abacTrustPolicy({ ...ctx, controllerRoleArns: ["arn:aws:iam::1:role/c"] }));
const perm = renderPolicy(abacPermissionPolicy(ctx));
const rs: any[] = [];
for (let i = 0; i < 2000; i++) {
  const role = stackResource("aws:iam/role:Role", `r${i}`, { name: `r${i}`, assumeRolePolicy: trust });
  rs.push(role, stackResource("aws:iam/rolePolicy:RolePolicy", `p${i}`, { role: `r${i}`, policy: perm }, { role: [role] }),
    stackResource("aws:secretsmanager/secret:Secret", `s${i}`, { tags: { "kubernetes-namespace": "a", "eks-cluster-name": "b" } }));
}
(async () => {
  for (const p of policies) await runPolicies([p], rs);

})();
(async () => { await new Promise((r) => setTimeout(r, 100)); for (let k = 0; k < 3; k++) { const t = Date.now(); await runPolicies(policies, rs); console.log("all", Date.now() - t, "ms", ((Date.now() - t) * 1000 / rs.length).toFixed(1), "us/resource"); } })();
