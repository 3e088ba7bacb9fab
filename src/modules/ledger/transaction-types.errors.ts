// Coded errors of transaction types, with the codes Pismo documents for them in
// Core_platform_-_Transactions.yaml (WTRC…).
import { AppError } from '../../platform/errors.js';

const conflict = (code: string, message: string) => new AppError('conflict', code, message);

export const TransactionTypeErrors = {
  notFound: (id: string) => new AppError('not_found', 'WTRC05005', `Transaction type not found: ${id}`),
  exists: (id: number) => conflict('WTRC05001', `Transaction type ID already exists: ${id}`),
  reserved: (id: number | string) => conflict('WTRC08001', `The provided transaction_type_id ${id} is reserved by the platform and cannot be used`),
};

