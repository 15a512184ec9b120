export * from "./analytics";
export * from "./categories";
export * from "./expenses";
export * from "./users";
