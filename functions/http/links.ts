import { sessionSecrets } from '../../shared/secrets/sessions.js';
import { endpointFor, VENDOR_SCHEMAS, type LinkCreate } from '../../shared/api/schemas.js';
import * as S from '../../shared/api/schemas.js';
import type { Deps } from '../../shared/deps.js';
import { checkBodyField, problems } from '../../shared/http/problem.js';
import type { LinkRecord } from '../../shared/repos/links.js';
import type { LinkCredentials } from '../../shared/secrets/store.js';
import { operation } from './operation.js';
import { lambdaEntry, makeHttpFunction } from './runtime.js';

/** The public view: never the credentials (they are not even in the record) nor the tenant. */
export const linkView = ({ tenant: _tenant, ...rest }: LinkRecord) => rest;

export const build = (getDeps: () => Deps) =>
  makeHttpFunction(
    'links',
    {
      createLink: operation({ body: S.LinkCreate }, async ({ body, tenant, deps, now }) => {
        // The union is assembled from the vendor manifests at run time; `LinkCreate` is its static type.
        const b = body as LinkCreate;
        const link = await deps.repos.links.create(
          { tenant, id: b.id, vendor: b.vendor, endpoint: b.endpoint, options: b.options ?? {} },
          now,
        );
        try {
          await deps.secrets.put(tenant, b.id, b.credentials as LinkCredentials);
        } catch (err) {
          await deps.repos.links.delete(tenant, b.id);
          throw err;
        }
        deps.logger.info('link created', { tenant, link: b.id, vendor: b.vendor });
        return { status: 201, body: linkView(link), headers: { location: `/v1/links/${b.id}` } };
      }),
      listLinks: operation({ query: S.PageQuery }, async ({ query: q, tenant, deps, now }) => {
        const page = await deps.repos.links.list(tenant, { limit: q.limit ?? 50, cursor: q.cursor, now });
        return { status: 200, body: { items: page.items.map(linkView), nextCursor: page.nextCursor } };
      }),
      getLink: operation({ params: S.LinkParams }, async ({ params, tenant, deps }) => {
        const link = await deps.repos.links.get(tenant, params.link);
        if (!link) throw problems.notFound('link', 'link');
        return { status: 200, body: linkView(link) };
      }),
      updateLink: operation(
        { params: S.LinkParams, body: S.LinkPatch },
        async ({ params, body: b, tenant, deps, now }) => {
          const id = params.link;
          const existing = await deps.repos.links.get(tenant, id);
          if (!existing) throw problems.notFound('link', 'link');
          const vendor = VENDOR_SCHEMAS[existing.vendor];
          const endpoint =
            b.endpoint === undefined
              ? undefined
              : checkBodyField(endpointFor(existing.vendor), b.endpoint, 'endpoint');
          const options =
            b.options === undefined ? undefined : checkBodyField(vendor.options, b.options, 'options');
          const credentials =
            b.credentials === undefined
              ? undefined
              : checkBodyField(vendor.credentials, b.credentials, 'credentials');
          if (credentials) await deps.secrets.put(tenant, id, credentials as LinkCredentials);
          const updated = await deps.repos.links.update(tenant, id, { endpoint, options }, now);
          if (!updated) throw problems.notFound('link', 'link');
          return { status: 200, body: linkView(updated) };
        },
      ),
      deleteLink: operation({ params: S.LinkParams }, async ({ params, tenant, deps }) => {
        const id = params.link;
        if (!(await deps.repos.links.delete(tenant, id))) throw problems.notFound('link', 'link');
        await deps.secrets.delete(tenant, id);
        // The link's sessions go with it (the connector stops the link, which ends its vendor logins).
        const secrets = sessionSecrets(deps.secrets);
        for (const session of await deps.repos.sessions.listByLink(tenant, id)) {
          await deps.repos.sessions.remove(tenant, session.id);
          await secrets.delete(tenant, session.id);
        }
        return { status: 204 };
      }),
    },
    getDeps,
  );

export const handler = lambdaEntry(build);
