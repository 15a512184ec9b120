import {
  authService,
  loginInput,
  refreshInput,
  registerInput,
  tokensOutput,
  userOutput,
} from "@ledgerflow/core";
import { z } from "zod";
import { protectedProcedure, publicProcedure, router } from "../trpc";

const session = z.object({ user: userOutput, tokens: tokensOutput });

export const authRouter = router({
  /** Anyone: creates an account and signs it in. */
  register: publicProcedure
    .input(registerInput)
    .output(session)
    .mutation(({ ctx, input }) => authService.registerUser(ctx.db, ctx.auth, input)),

  /** Anyone: exchanges email and password for a token pair. */
  login: publicProcedure
    .input(loginInput)
    .output(session)
    .mutation(({ ctx, input }) => authService.loginUser(ctx.db, ctx.auth, input)),

  /** Holder of a refresh token: rotates it. */
  refresh: publicProcedure
    .input(refreshInput)
    .output(z.object({ tokens: tokensOutput }))
    .mutation(({ ctx, input }) => authService.refreshSession(ctx.db, ctx.auth, input)),

  /** Holder of a refresh token: signs that login out everywhere it was rotated to. */
  logout: publicProcedure
    .input(refreshInput)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(({ ctx, input }) => authService.logoutSession(ctx.db, input)),

  /** Signed-in user: who am I. */
  me: protectedProcedure
    .output(userOutput)
    .query(({ ctx }) => authService.getUser(ctx.db, ctx.user.id)),
});
