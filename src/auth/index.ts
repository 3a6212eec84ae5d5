export { authenticate, canWrite, type Principal } from './authenticate.js';
export { checkPasswordHash, hashPassword, hashToken, verifyPassword, verifyToken } from './passwords.js';
export { loadUsers, parseUsers, type UserEntry, type Users } from './users-file.js';
