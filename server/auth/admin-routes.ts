import { Router, type Request } from 'express';
import type { Db } from '../db/db.js';
import { parseBody } from '../http/body.js';
import { message, refusal } from '../http/messages.js';
import { accountChangesBody, changeAccount, createAccount, listAccounts, newAccountBody, passwordBody, resetPassword, scopeChoices } from './accounts.js';
import type { Principals } from './principals.js';

/** Only the bureau's administrators; anyone else is told whom to ask. */
function requireAdmin(req: Request): string {
  const p = req.principal;
  if (p.role === 'public') throw refusal(401, 'sign_in_required', { action: '管理帳號' });
  if (p.role !== 'admin') throw refusal(403, 'admin_only', undefined);
  return p.username;
}

/**
 * Account administration for the admin role (the /admin page; npm run admin works on the
 * database directly): GET /api/admin/accounts, GET /api/admin/scopes (units and 村里 to scope
 * accounts to), POST /api/admin/accounts, PATCH /api/admin/accounts/{username},
 * POST /api/admin/accounts/{username}/password. Passwords are never sent back.
 */
export function adminRoutes(db: Db, principals: Principals): Router {
  const r = Router();
  r.get('/api/admin/accounts', async (req, res) => {
    requireAdmin(req);
    res.json({ accounts: await listAccounts(db) });
  });
  r.get('/api/admin/scopes', async (req, res) => {
    requireAdmin(req);
    res.json(await scopeChoices(db));
  });
  r.post('/api/admin/accounts', async (req, res) => {
    const actor = requireAdmin(req);
    const account = await createAccount(db, actor, parseBody(newAccountBody, req.body, 'account_body'));
    res.status(201).json({ account, message: message('account_created', { username: account.username, role: account.role }) });
  });
  r.patch('/api/admin/accounts/:username', async (req, res) => {
    const actor = requireAdmin(req);
    const username = String(req.params.username);
    const done = await changeAccount(db, actor, username, parseBody(accountChangesBody, req.body, 'account_body'));
    if (done.signedOut) principals.forgetAccount(username);
    res.json({
      account: done.account,
      message: done.changed ? message('account_changed', { username, signedOut: done.signedOut }) : message('account_unchanged', { username }),
    });
  });
  r.post('/api/admin/accounts/:username/password', async (req, res) => {
    const actor = requireAdmin(req);
    const username = String(req.params.username);
    await resetPassword(db, actor, username, parseBody(passwordBody, req.body, 'account_body').password);
    principals.forgetAccount(username);
    res.json({ message: message('account_password_set', { username }) });
  });
  return r;
}
