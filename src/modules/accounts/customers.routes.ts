// HTTP routes of an account's customers, addresses, phones and parameters (Pismo's Accounts API:
// Customers, Addresses, Phones, Account parameters). Permission group `accounts`. Routes naming
// an account in their path take an account token of that account (or an org-wide token); the
// customer routes without one (/accounts/v2/customers…) are org-wide.
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { routeAuth } from '../../platform/auth/guard.js';
import { requestContext, tenantScope } from '../../platform/http/context.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import type { TenantTx } from '../../platform/tenant.js';
import { AccountIdParams } from './accounts.schemas.js';
import { IdempotencyHeaders } from './accounts.routes.js';
import {
  AccountCustomerParams,
  Address,
  AddressCreate,
  AddressIdParams,
  AddressListQuery,
  AddressPatch,
  CustomerCreate,
  CustomerCreated,
  CustomerDetailPatch,
  CustomerDetailResponse,
  CustomerDetails,
  CustomerIdParams,
  CustomerListQuery,
  CustomerOverwrite,
  CustomerPage,
  IdResponse,
  Parameter,
  ParameterIdParams,
  ParameterUpdate,
  Phone,
  PhoneCreate,
  PhoneCreateHeaders,
  PhoneIdParams,
  PhoneListQuery,
  PhonePatch,
} from './customers.schemas.js';
import type { CustomersService } from './customers.service.js';

const orgAuth = routeAuth.tenant('accounts');
const accountAuth = routeAuth.tenant('accounts', { accountParam: 'accountId' });
const PhoneHeaders = Type.Object({ ...IdempotencyHeaders.properties, ...PhoneCreateHeaders.properties });

export function customersRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>, customers: CustomersService): void {
  const tags = ['accounts'];
  const tenant = <T>(req: FastifyRequest, fn: (t: TenantTx) => Promise<T>) => platform.tenant(tenantScope(req), fn);

  // ---- customers -------------------------------------------------------------------------------

  app.post(
    '/accounts/v2/customers',
    {
      config: { auth: orgAuth },
      schema: {
        tags,
        summary: 'Create customer; emits Customer created (and Account owner changed when is_owner)',
        headers: IdempotencyHeaders,
        body: CustomerCreate,
        response: { 201: CustomerCreated },
      },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(201).send(await tenant(req, (t) => customers.createCustomer(t, req.body, ctx)));
    },
  );

  app.get(
    '/accounts/v2/customers/:customerId',
    { config: { auth: orgAuth }, schema: { tags, summary: 'Get customer', params: CustomerIdParams, response: { 200: CustomerDetails } } },
    async (req) => tenant(req, (t) => customers.getCustomer(t, req.params.customerId)),
  );

  app.put(
    '/accounts/v2/customers/:customerId',
    {
      config: { auth: orgAuth },
      schema: {
        tags,
        summary: 'Overwrite customer (social_name and nickname not sent become null); emits Customer changed',
        headers: IdempotencyHeaders,
        params: CustomerIdParams,
        body: CustomerOverwrite,
        response: { 200: Type.Null({ description: 'Overwritten (no body).' }) },
      },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      await tenant(req, (t) => customers.overwriteCustomer(t, req.params.customerId, req.body, ctx));
      return reply.status(200).send(null);
    },
  );

  app.get(
    '/accounts/v2/accounts/:accountId/customers',
    {
      config: { auth: accountAuth },
      schema: { tags, summary: 'List customers of an account', params: AccountIdParams, querystring: CustomerListQuery, response: { 200: CustomerPage } },
    },
    async (req) => tenant(req, (t) => customers.listCustomers(t, req.params.accountId, req.query)),
  );

  app.patch(
    '/accounts/v1/accounts/:accountId/customers/:customerId/detail',
    {
      config: { auth: accountAuth },
      schema: {
        tags,
        summary: 'Update person or company customer; emits Account entity updated (and Account owner changed when is_owner)',
        headers: IdempotencyHeaders,
        params: AccountCustomerParams,
        body: CustomerDetailPatch,
        response: { 200: CustomerDetailResponse },
      },
    },
    async (req) => {
      const ctx = requestContext(req);
      return tenant(req, (t) => customers.patchCustomerDetail(t, req.params.accountId, req.params.customerId, req.body, ctx));
    },
  );

  // ---- addresses -------------------------------------------------------------------------------

  app.post(
    '/accounts/v1/accounts/:accountId/addresses',
    {
      config: { auth: accountAuth },
      schema: {
        tags,
        summary: "Create address (of the account's owner); emits Address created",
        headers: IdempotencyHeaders,
        params: AccountIdParams,
        body: AddressCreate,
        response: { 201: IdResponse },
      },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(201).send(await tenant(req, (t) => customers.createAddress(t, req.params.accountId, req.body, ctx)));
    },
  );

  app.get(
    '/accounts/v1/accounts/:accountId/addresses',
    {
      config: { auth: accountAuth },
      schema: { tags, summary: 'List addresses', params: AccountIdParams, querystring: AddressListQuery, response: { 200: Type.Array(Address) } },
    },
    async (req) => tenant(req, (t) => customers.listAddresses(t, req.params.accountId, req.query)),
  );

  app.get(
    '/accounts/v1/accounts/:accountId/addresses/:addressId',
    { config: { auth: accountAuth }, schema: { tags, summary: 'Get address (an active one)', params: AddressIdParams, response: { 200: Address } } },
    async (req) => tenant(req, (t) => customers.getAddress(t, req.params.accountId, req.params.addressId)),
  );

  app.patch(
    '/accounts/v1/accounts/:accountId/addresses/:addressId',
    {
      config: { auth: accountAuth },
      schema: {
        tags,
        summary: 'Update address; emits Address updated',
        headers: IdempotencyHeaders,
        params: AddressIdParams,
        body: AddressPatch,
        response: { 201: IdResponse },
      },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(201).send(await tenant(req, (t) => customers.patchAddress(t, req.params.accountId, req.params.addressId, req.body, ctx)));
    },
  );

  // ---- phones ----------------------------------------------------------------------------------

  app.post(
    '/accounts/v1/accounts/:accountId/phones',
    {
      config: { auth: accountAuth },
      schema: {
        tags,
        summary: 'Create phone (of the customer x-customer-id names, else the owner); emits Phone created',
        headers: PhoneHeaders,
        params: AccountIdParams,
        body: PhoneCreate,
        response: { 200: IdResponse },
      },
    },
    async (req) => {
      const ctx = requestContext(req);
      return tenant(req, (t) => customers.createPhone(t, req.params.accountId, req.headers['x-customer-id'], req.body, ctx));
    },
  );

  app.get(
    '/accounts/v1/accounts/:accountId/phones',
    {
      config: { auth: accountAuth },
      schema: { tags, summary: 'List phones', params: AccountIdParams, querystring: PhoneListQuery, response: { 200: Type.Array(Phone) } },
    },
    async (req) => tenant(req, (t) => customers.listPhones(t, req.params.accountId, req.query)),
  );

  app.get(
    '/accounts/v1/accounts/:accountId/phones/:phoneId',
    { config: { auth: accountAuth }, schema: { tags, summary: 'Get phone', params: PhoneIdParams, response: { 200: Phone } } },
    async (req) => tenant(req, (t) => customers.getPhone(t, req.params.accountId, req.params.phoneId)),
  );

  app.patch(
    '/accounts/v1/accounts/:accountId/phones/:phoneId',
    {
      config: { auth: accountAuth },
      schema: {
        tags,
        summary: 'Update phone (not an inactive one); emits Phone updated',
        headers: IdempotencyHeaders,
        params: PhoneIdParams,
        body: PhonePatch,
        response: { 200: IdResponse },
      },
    },
    async (req) => {
      const ctx = requestContext(req);
      return tenant(req, (t) => customers.patchPhone(t, req.params.accountId, req.params.phoneId, req.body, ctx));
    },
  );

  // ---- parameters ------------------------------------------------------------------------------

  app.get(
    '/accounts/v1/accounts/:accountId/parameters',
    { config: { auth: accountAuth }, schema: { tags, summary: 'List account parameters', params: AccountIdParams, response: { 200: Type.Array(Parameter) } } },
    async (req) => tenant(req, (t) => customers.listParameters(t, req.params.accountId)),
  );

  app.get(
    '/accounts/v1/accounts/:accountId/parameters/:parameterId',
    { config: { auth: accountAuth }, schema: { tags, summary: 'Get account parameter', params: ParameterIdParams, response: { 200: Parameter } } },
    async (req) => tenant(req, (t) => customers.getParameter(t, req.params.accountId, req.params.parameterId)),
  );

  app.put(
    '/accounts/v1/accounts/:accountId/parameters/:parameterId',
    {
      config: { auth: accountAuth },
      schema: {
        tags,
        summary: "Update account parameter: sets the account's value",
        headers: IdempotencyHeaders,
        params: ParameterIdParams,
        body: ParameterUpdate,
        response: { 200: Type.Null({ description: 'Updated (no body).' }) },
      },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      await tenant(req, (t) => customers.updateParameter(t, req.params.accountId, req.params.parameterId, req.body, ctx));
      return reply.status(200).send(null);
    },
  );
}
