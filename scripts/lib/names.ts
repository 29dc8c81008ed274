/**
 * The names this toolkit gives things a person chooses (themes, deployment stacks): 2 to 40 lowercase
 * letters, digits or '-', starting with a letter. They become image tags, folder names and Kubernetes
 * object names (DNS labels, with room for the suffixes added to them), so one rule serves them all.
 */
export const namePattern = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
