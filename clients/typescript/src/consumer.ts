// A small consumer of the generated types (src/schema.d.ts, generated from
// docs/openapi.json by `npm run generate`). It is only type-checked
// (`tsc --noEmit`, strict), never run: it fails to compile when the document
// stops describing what a client of these operations relies on.

import type { components, operations, paths } from "./schema";

type Schemas = components["schemas"];
type User = Schemas["User"];
type TokenPair = Schemas["TokenPair"];
type Problem = Schemas["Problem"];
type ValidationProblem = Schemas["ValidationProblem"];
type UserPage = Schemas["UserPage"];

type RegisterBody = operations["register"]["requestBody"]["content"]["application/json"];
type Registered = operations["register"]["responses"][201]["content"]["application/json"];
type LoginBody = operations["login"]["requestBody"]["content"]["application/json"];
type LoggedIn = operations["login"]["responses"][200]["content"]["application/json"];
type TokenForm =
    operations["token"]["requestBody"]["content"]["application/x-www-form-urlencoded"];
type RegisterRefused =
    operations["register"]["responses"][422]["content"]["application/problem+json"];
type ListUsersQuery = NonNullable<operations["list_users"]["parameters"]["query"]>;
type ListedUsers = operations["list_users"]["responses"][200]["content"]["application/json"];
type Me = paths["/api/v1/users/me"]["get"]["responses"][200]["content"]["application/json"];

/** What an answer is: the success body, or a problem document. */
type Outcome<T> = { ok: true; value: T } | { ok: false; problem: Problem };

async function call<T>(base: string, path: string, init: RequestInit): Promise<Outcome<T>> {
    const response = await fetch(`${base}${path}`, init);
    if (response.ok) {
        return { ok: true, value: (await response.json()) as T };
    }
    return { ok: false, problem: (await response.json()) as Problem };
}

function json(body: unknown, token?: string): RequestInit {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (token !== undefined) {
        headers["Authorization"] = `Bearer ${token}`;
    }
    return { method: "POST", headers, body: JSON.stringify(body) };
}

export async function register(base: string, body: RegisterBody): Promise<Outcome<Registered>> {
    return call<Registered>(base, "/api/v1/auth/register", json(body));
}

export async function login(base: string, body: LoginBody): Promise<Outcome<LoggedIn>> {
    return call<LoggedIn>(base, "/api/v1/auth/login", json(body));
}

/** The OAuth 2.0 token endpoint: a form, one of two grants. */
export async function token(base: string, form: TokenForm): Promise<Outcome<TokenPair>> {
    const fields: Record<string, string> =
        form.grant_type === "password"
            ? { grant_type: form.grant_type, username: form.username, password: form.password }
            : { grant_type: form.grant_type, refresh_token: form.refresh_token };
    return call<TokenPair>(base, "/api/v1/auth/token", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields).toString(),
    });
}

export async function me(base: string, pair: TokenPair): Promise<Outcome<Me>> {
    return call<Me>(base, "/api/v1/users/me", {
        headers: { Authorization: `${pair.token_type} ${pair.access_token}` },
    });
}

/** Every account, page by page (an admin's token), following `next_cursor`. */
export async function allUsers(base: string, accessToken: string, filter: ListUsersQuery) {
    const users: User[] = [];
    let cursor: string | undefined;
    for (;;) {
        const query: ListUsersQuery = { ...filter, limit: 100, ...(cursor ? { cursor } : {}) };
        const search = new URLSearchParams(
            Object.entries(query).map(([key, value]) => [key, String(value)]),
        );
        const page = await call<ListedUsers>(base, `/api/v1/users?${search}`, {
            headers: { Authorization: `Bearer ${accessToken}` },
        });
        if (!page.ok) {
            return page;
        }
        const body: UserPage = page.value;
        users.push(...body.items);
        if (body.next_cursor === null) {
            return { ok: true as const, value: users };
        }
        cursor = body.next_cursor;
    }
}

/** The field errors of a 422, by field. */
export function fieldErrors(problem: RegisterRefused | ValidationProblem): Map<string, string[]> {
    const byField = new Map<string, string[]>();
    for (const error of problem.errors) {
        byField.set(error.field, [...(byField.get(error.field) ?? []), error.code]);
    }
    return byField;
}

export function describe(user: User): string {
    const role: "user" | "admin" = user.role;
    const since: string = user.created_at;
    const flags = [user.is_active ? "active" : "deactivated", user.email_verified ? "verified" : "unverified"];
    return `${user.name} <${user.email}> (${role}, ${flags.join(", ")}, since ${since}, id ${user.id})`;
}

export function describeProblem(problem: Problem): string {
    return `${problem.status} ${problem.code}: ${problem.title} (${problem.detail}) [${problem.type}]`;
}

// What the types must refuse, so a wrong document cannot pass by being loose.

// @ts-expect-error a self-service registration has no `role`
export const smuggledRole: RegisterBody = { email: "a@b.c", password: "x", name: "A", role: "admin" };

// @ts-expect-error the password grant needs `username` and `password`
export const passwordGrantWithoutUser: TokenForm = { grant_type: "password", password: "x" };

// @ts-expect-error the refresh grant needs its `refresh_token`
export const refreshGrantWithoutToken: TokenForm = { grant_type: "refresh_token" };

// @ts-expect-error `role` is `user` or `admin`
export const badRole: ListUsersQuery = { role: "root" };

// @ts-expect-error a token pair carries both tokens
export const halfPair: TokenPair = { access_token: "a", token_type: "Bearer", expires_in: 900 };

export const pagedQuery: ListUsersQuery = { limit: 20, q: "ada", role: "admin", is_active: true };
