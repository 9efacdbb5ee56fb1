/**
 * The Network panel's routes (docs/API.md, Machines): which machines this one knows and how
 * each stands, letting one in, refusing or removing it, opening or closing the network. For a
 * signed-in person at this machine; the decisions are the desk's (daemon/admission), this
 * file only checks the request and passes the person's name on.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  MachineParams,
  NetworkChange,
  type ForkReport,
  type MachinesResponse,
  type MachineView,
  type NetworkView,
} from '../../../shared/index.js'
import type { HttpContext } from '../context.js'
import type { MachineDesk } from '../machine-desk.js'

export const NO_DESK_MESSAGE = 'This SO-CHAT cannot list or admit machines yet: its daemon has no admission desk.'

export function machineRoutes(app: FastifyInstance, ctx: HttpContext): void {
  // Until admission is wired into daemon.ts there is nothing to ask. 503 (not 404, not 500)
  // so a page or script can tell "not ready on this daemon" from "no such route" or a crash;
  // the code stays `internal`, the only one that fits, and the sentence says what is missing.
  const preHandler = async (_req: FastifyRequest, reply: FastifyReply) => {
    if (!ctx.machines) return reply.code(503).send({ error: { code: 'internal', message: NO_DESK_MESSAGE } })
  }
  const desk = () => ctx.machines as MachineDesk

  app.get('/api/v1/machines', { preHandler }, async (): Promise<MachinesResponse> => {
    const list = desk().list()
    return { ...list, forks: await forkReports(ctx, list.machines) }
  })

  app.post('/api/v1/machines/:id/:action', { preHandler }, async (req): Promise<{ machine: MachineView }> => {
    const { id, action } = MachineParams.parse(req.params)
    return { machine: await desk().act(id, action, req.who.session.username) }
  })

  app.post('/api/v1/network', { preHandler }, async (req): Promise<{ network: NetworkView }> => {
    const { open } = NetworkChange.parse(req.body)
    return { network: await desk().setOpen(open, req.who.session.username) }
  })
}

/** The forks this machine's replica holds proof of (Store.order), named as the panel knows them. */
async function forkReports(ctx: HttpContext, machines: MachineView[]): Promise<ForkReport[]> {
  const proofs = await ctx.store.order.forks()
  return proofs.map((p) => ({
    relayId: p.relayId,
    name: machines.find((m) => m.nodeId === p.relayId)?.name ?? null,
    fingerprint: p.fingerprint,
    term: p.term,
    detectedAt: p.detectedAt,
  }))
}
