import { TextField } from '../../components/Field';
import { useI18n } from '../../i18n';

/** New password twice: the second catches a typo before it locks someone out. */
export function NewPasswordFields({
  password,
  confirm,
  onPassword,
  onConfirm,
  error,
  mismatch,
}: {
  password: string;
  confirm: string;
  onPassword: (value: string) => void;
  onConfirm: (value: string) => void;
  error: string | undefined;
  mismatch: boolean;
}) {
  const { t } = useI18n();
  return (
    <>
      <TextField
        label={t('form.newPassword')}
        name="new_password"
        type="password"
        autoComplete="new-password"
        required
        minLength={10}
        maxLength={128}
        hint={t('form.passwordHint')}
        value={password}
        onChange={(e) => onPassword(e.target.value)}
        error={error}
      />
      <TextField
        label={t('form.confirmPassword')}
        name="confirm_password"
        type="password"
        autoComplete="new-password"
        required
        value={confirm}
        onChange={(e) => onConfirm(e.target.value)}
        error={mismatch ? t('errors.passwordsDiffer') : undefined}
      />
    </>
  );
}
