import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "./root";

export type { AppRouter } from "./root";
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export { createContextInner } from "./context";
export { appRouter } from "./root";
export { type BuildAppOptions, buildApp } from "./server";
export { createCallerFactory } from "./trpc";
