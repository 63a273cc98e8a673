// One function per admin endpoint (docs/admin-api.md). Pages call these, never fetch.

import { call, download, type Query } from './client'
import type {
  BudgetStatus,
  ClientKeyInput,
  ClientKeyList,
  ClientKeyView,
  ConnectInput,
  ConnectOutcome,
  ConnectStatus,
  DisconnectOutcome,
  IssuedClientKey,
  CostReport,
  Detail,
  KeyInfo,
  KeyTest,
  Listing,
  Overview,
  PriceInput,
  PriceList,
  ProviderInput,
  ProviderKinds,
  ProviderList,
  ProviderView,
  RouteInput,
  RouteList,
  RouteView,
  Settings,
  Status,
  WhatIf,
} from './types'

/** The filters and paging of the Requests page, as the API names them. */
export type RequestQuery = {
  limit?: number
  offset?: number
  sort?: string
  order?: 'asc' | 'desc'
  model?: string
  provider?: string
  status?: string
  since?: string
  until?: string
  tag?: string
  client?: string
  q?: string
}

export type CostGrouping = 'day' | 'model' | 'provider' | 'tag' | 'client' | 'client_key'
export type CostQuery = { by: CostGrouping; since?: string; until?: string }

const seg = encodeURIComponent

export const api = {
  requests: (query: RequestQuery, signal?: AbortSignal) =>
    call<Listing>('GET', '/api/requests', { query: query as Query, signal }),
  requestsCsv: (query: RequestQuery) =>
    download('/api/requests', { ...(query as Query), format: 'csv', limit: undefined, offset: undefined }, 'switchyard-requests.csv'),
  request: (id: string, signal?: AbortSignal) => call<Detail>('GET', `/api/requests/${seg(id)}`, { signal }),

  overview: (signal?: AbortSignal) => call<Overview>('GET', '/api/overview', { signal }),
  costs: (query: CostQuery, signal?: AbortSignal) =>
    call<CostReport>('GET', '/api/costs', { query, signal }),
  costsCsv: (query: CostQuery) =>
    download('/api/costs', { ...query, format: 'csv' }, `switchyard-costs-by-${query.by}.csv`),
  whatIf: (model: string, since?: string, until?: string) =>
    call<WhatIf>('GET', '/api/costs/what-if', { query: { model, since, until } }),
  budgets: () => call<BudgetStatus>('GET', '/api/budgets'),
  status: (signal?: AbortSignal) => call<Status>('GET', '/api/status', { signal }),

  providers: () => call<ProviderList>('GET', '/api/providers'),
  providerKinds: () => call<ProviderKinds>('GET', '/api/provider-kinds'),
  createProvider: (input: ProviderInput) => call<ProviderView>('POST', '/api/providers', { body: input }),
  updateProvider: (id: string, input: ProviderInput) =>
    call<ProviderView>('PUT', `/api/providers/${seg(id)}`, { body: input }),
  deleteProvider: (id: string) => call<void>('DELETE', `/api/providers/${seg(id)}`),
  setKey: (id: string, key: string) => call<KeyInfo>('PUT', `/api/providers/${seg(id)}/key`, { body: { key } }),
  deleteKey: (id: string) => call<KeyInfo>('DELETE', `/api/providers/${seg(id)}/key`),
  testKey: (id: string) => call<KeyTest>('POST', `/api/providers/${seg(id)}/key/test`),

  routes: () => call<RouteList>('GET', '/api/routes'),
  putRoute: (alias: string, input: RouteInput) => call<RouteView>('PUT', `/api/routes/${seg(alias)}`, { body: input }),
  deleteRoute: (alias: string) => call<void>('DELETE', `/api/routes/${seg(alias)}`),

  prices: () => call<PriceList>('GET', '/api/prices'),
  putPrice: (model: string, input: PriceInput) => call<PriceList>('PUT', `/api/prices/${seg(model)}`, { body: input }),
  deletePrice: (model: string) => call<PriceList>('DELETE', `/api/prices/${seg(model)}`),

  clientKeys: () => call<ClientKeyList>('GET', '/api/client-keys'),
  issueClientKey: (input: ClientKeyInput) => call<IssuedClientKey>('POST', '/api/client-keys', { body: input }),
  renameClientKey: (id: string, input: ClientKeyInput) =>
    call<ClientKeyView>('PATCH', `/api/client-keys/${seg(id)}`, { body: input }),
  revokeClientKey: (id: string) => call<void>('DELETE', `/api/client-keys/${seg(id)}`),

  connectStatus: () => call<ConnectStatus>('GET', '/api/connect'),
  previewConnect: (client: string, input: ConnectInput) =>
    call<ConnectOutcome>('POST', `/api/connect/${seg(client)}/preview`, { body: input }),
  connect: (client: string, input: ConnectInput) =>
    call<ConnectOutcome>('POST', `/api/connect/${seg(client)}`, { body: input }),
  disconnect: (client: string) => call<DisconnectOutcome>('DELETE', `/api/connect/${seg(client)}`),

  settings: () => call<Settings>('GET', '/api/settings'),
  putSettings: (settings: Settings) => call<Settings>('PUT', '/api/settings', { body: settings }),
}
